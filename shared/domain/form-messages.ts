/** What the subscribe, preferences and console forms say of a mistake; the JSON API's details say the same. */
export const MESSAGES = {
  emailMissing: 'Enter your email address',
  emailFormat: 'Enter an email address in the correct format, like name@example.com',
  noTopics: 'Choose at least one component, region or the whole page',
  tooManyTopics: 'Choose at most 40 components and regions, or the whole page',
  level: 'Choose how often you want updates',
} as const;
