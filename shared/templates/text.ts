/** "everything in Prod1 (US)" reads inside a sentence; a list item or a message starts with a capital. */
export const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
