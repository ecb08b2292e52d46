import type { Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '../http/respond';

/** A route as the functions' routers take it: each module of routes gives a list of these. */
export type HttpRouteHandler = Route<APIGatewayProxyEventV2, HttpResult>;
