import type { FastifyPluginAsync } from "fastify";
import { FACE_FRAMES_MAX, registerFaceRequestSchema } from "../../shared/api/accounts.js";
import { parseInput } from "../errors.js";

/** 人脸识别认证注册, step 1: the face check; step 2 is the hall code's (/api/sms/send, /api/register/complete). */
const portraitRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;
  app.post(
    "/api/register/face",
    // Camera frames are larger than any other body: up to FACE_FRAMES_MAX of ~700 KB base64 each.
    { bodyLimit: FACE_FRAMES_MAX * 720_000 },
    async (request) => {
      const { docNumber, name, frames } = parseInput(registerFaceRequestSchema, request.body);
      const photos = frames.map((frame) => Buffer.from(frame.replace(/^data:[^,]*,/, ""), "base64"));
      const verificationId = await core.faceVerifications.verify({ docNumber, name }, photos);
      request.log.info({ via: core.portraitAuthority.kind }, "face check passed");
      return core.registration.faceVerified(verificationId);
    },
  );
};

export default portraitRoutes;
