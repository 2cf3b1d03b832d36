// The floor: a bare Node process with a minimal Fastify app on 127.0.0.1, printing one line when
// it listens (as the companion does). Everything the companion adds is measured against this.
import Fastify from "fastify";

const app = Fastify();
app.get("/ping", async () => ({ ok: true }));

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 0) });
const address = app.server.address();
const port = address && typeof address === "object" ? address.port : 0;
process.stdout.write(`floor listening on http://127.0.0.1:${port}\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => app.close().then(() => process.exit(0)));
}
