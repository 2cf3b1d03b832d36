import { qrLoginApi } from "../qr-login/contract.js";
import { accountsApi } from "./accounts.js";
import { browsersApi } from "./browsers.js";
import { declarationApi } from "./declaration.js";
import { desktopApi } from "./desktop.js";
import { grantRequestsApi } from "./grant-requests.js";
import { grantsApi } from "./grants.js";
import { securityApi } from "./security.js";

/** Every HTTP endpoint of the companion, by name (the extension's client calls them by these names). */
export const api = {
  ...accountsApi,
  ...browsersApi,
  ...grantsApi,
  ...grantRequestsApi,
  ...declarationApi,
  ...desktopApi,
  ...qrLoginApi,
  ...securityApi,
};
export type Api = typeof api;
