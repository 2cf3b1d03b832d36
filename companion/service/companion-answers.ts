import { request } from "node:http";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";

/** Whether the companion answers at its address: any HTTP answer counts, as for the popup (a refusal is one). */
export function companionAnswers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request(`${url}/livez`, { headers: { origin: EXTENSION_ORIGIN }, timeout: 1_000 }, (response) => {
      response.resume();
      resolve(true);
    });
    probe.on("timeout", () => probe.destroy());
    probe.on("error", () => resolve(false));
    probe.end();
  });
}
