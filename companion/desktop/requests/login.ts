import type { LoginRequest } from "../../../shared/api/accounts.js";
import type { LoginSuccess, LoginSurface } from "../../accounts/login.js";
import { personSummary } from "../../accounts/people.js";
import type { Captchas } from "../../captcha/captchas.js";
import type { DesktopHandlers } from "./handlers.js";

export interface LoginRequestDeps {
  captchas: Pick<Captchas, "issue">;
  login: (credentials: LoginRequest, surface: LoginSurface) => Promise<LoginSuccess>;
}

/** The person's login on the connection, with the browser's rules and the same captcha. */
export function loginRequests({ captchas, login }: LoginRequestDeps): DesktopHandlers<"captcha" | "login" | "logout"> {
  return {
    captcha: () => captchas.issue(),

    login: async ({ type: _type, id: _id, ...credentials }, connection) => {
      // A desktop client has no way to change a password: a one-time one from the hall is refused
      // (PASSWORD_CHANGE_REQUIRED) until it is changed in the browser extension. Only paired
      // connections get here: 最近登录 names the client as the person approved it.
      const client = connection.client!;
      const result = await login(credentials, {
        canChangePassword: false,
        client: { kind: "desktop", name: client.name },
        // Per paired client, not per connection: a new socket is free, a new pairing needs the person.
        source: `desktop:${client.id}`,
      });
      connection.signIn({ token: result.token, personId: result.person.id });
      return { person: personSummary(result.person) };
    },

    logout: (_request, connection) => {
      connection.signOut();
      return {};
    },
  };
}
