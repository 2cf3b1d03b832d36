import type { FastifyPluginAsync } from "fastify";
import { accountsApi } from "../../shared/api/accounts.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";

/** What these routes use of the companion. */
export type PortraitRoutesDeps = Pick<
  Core,
  "faceChallenges" | "faceVerifications" | "portraitAuthority" | "registration"
>;

/**
 * 人脸识别认证注册, step 1: the challenge, then the face check; step 2 is the hall code's
 * (/api/sms/send, /api/register/complete).
 */
const portraitRoutes: FastifyPluginAsync<PortraitRoutesDeps> = async (app, core) => {
  serve(app, accountsApi.registerFaceChallenge, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return core.faceChallenges.issue();
  });
  serve(app, accountsApi.registerFace, async ({ body, log }) => {
    const { docNumber, name, challengeId, frames } = body;
    const photos = frames.map((frame) => Buffer.from(frame.replace(/^data:[^,]*,/, ""), "base64"));
    const verificationId = await core.faceVerifications.verify(
      { docNumber, name },
      { challengeId, frames: photos },
      body,
    );
    log.info({ via: core.portraitAuthority.kind }, "face check passed");
    return core.registration.faceVerified(verificationId);
  });
};

export default portraitRoutes;
