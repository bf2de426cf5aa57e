import type { Context } from "hono";
import type { AppEnv } from "../api/app-env.ts";
import { Layout } from "./layout.tsx";

/** What a desk page answers without a valid token when reads are private: the token form, and why. */
export function signInPage(c: Context<AppEnv>): Response | Promise<Response> {
  return c.html(
    <Layout title="Sign in">
      <h1>Sign in</h1>
      <p id="sign-in-needed">Reading this tracker needs a token: enter yours above. It is kept for this browser session only.</p>
    </Layout>,
    401,
  );
}
