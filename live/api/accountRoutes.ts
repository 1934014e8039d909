// Sign-up, login and logout, who am I, API tokens, the organisation and its invitations, over the
// Accounts port. A session lives in the `cc_session` cookie (HttpOnly, SameSite=Strict); everything
// else a client needs (the CSRF token) comes in `GET /api/auth/me`.
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Duration, Effect, Schema } from "effect"
import { Accounts, type StartedSession } from "../accounts/Accounts.ts"
import { emailPattern, userNamePattern, userNameRule } from "../accounts/names.ts"
import { invalidField } from "./errorResponse.ts"
import { authenticated, clientAddress, credential, handle, IdPath, jsonBody, noQuery, ok, pathParams, type Reply, sessionCookie } from "./http.ts"

const UserName = Schema.String.pipe(Schema.pattern(userNamePattern, { message: () => userNameRule }))
const Email = Schema.String.pipe(
  Schema.maxLength(254, { message: () => "at most 254 characters" }),
  Schema.pattern(emailPattern, { message: () => "an email address, like name@example.com" })
)
const Password = Schema.String.pipe(
  Schema.minLength(8, { message: () => "at least 8 characters" }),
  Schema.maxLength(1024, { message: () => "at most 1024 characters" })
)
const OrgName = Schema.Trim.pipe(
  Schema.minLength(2, { message: () => "at least 2 characters" }),
  Schema.maxLength(64, { message: () => "at most 64 characters" }),
  Schema.pattern(/[A-Za-z0-9]/, { message: () => "needs a letter or a digit" })
)
const Code = Schema.String.pipe(Schema.minLength(1, { message: () => "the invitation code is empty" }), Schema.maxLength(256))

const Signup = Schema.Struct({
  kind: Schema.Literal("personal", "company"),
  name: UserName,
  email: Email,
  password: Password,
  orgName: Schema.optional(OrgName),
  invitation: Schema.optional(Code)
})
const Login = Schema.Struct({
  login: Schema.String.pipe(Schema.minLength(1, { message: () => "a user name or email" }), Schema.maxLength(254)),
  password: Schema.String.pipe(Schema.maxLength(1024))
})
const NewToken = Schema.Struct({
  label: Schema.Trim.pipe(Schema.minLength(1, { message: () => "a label, to tell your tokens apart" }), Schema.maxLength(64, { message: () => "at most 64 characters" }))
})
const NewInvitation = Schema.Struct({
  email: Schema.optional(Email),
  role: Schema.optionalWith(Schema.Literal("member", "admin"), { default: () => "member" as const })
})

/** Bodies of the account calls are small; a large one is not one of them. */
const accountBodyBytesMax = 8 * 1024

const withSession = (session: StartedSession, status: number): Reply =>
  ok(session.me, status).pipe(HttpServerResponse.unsafeSetCookie(sessionCookie, session.sessionId, {
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    maxAge: Duration.seconds(session.maxAgeS)
  }))

const clearedSession = (reply: Reply): Reply =>
  HttpServerResponse.unsafeSetCookie(reply, sessionCookie, "", { httpOnly: true, sameSite: "strict", path: "/", maxAge: Duration.zero })

/** A company user brings exactly one of an organisation to create and an invitation; a personal user neither. */
const checkKind = (body: typeof Signup.Type) => {
  if (body.kind === "personal" && body.orgName !== undefined) return Effect.fail(invalidField("orgName", "a personal account has no organisation"))
  if (body.kind === "personal" && body.invitation !== undefined) return Effect.fail(invalidField("invitation", "a personal account joins no organisation"))
  if (body.kind === "company" && (body.orgName === undefined) === (body.invitation === undefined)) {
    return Effect.fail(invalidField(body.orgName === undefined ? "orgName" : "invitation", "a company account either creates an organisation (orgName) or joins one (invitation), not both"))
  }
  return Effect.void
}

export const accountRouter = HttpRouter.empty.pipe(
  HttpRouter.post("/api/auth/signup", handle(Effect.gen(function* () {
    const body = yield* jsonBody(Signup, accountBodyBytesMax)
    yield* checkKind(body)
    const accounts = yield* Accounts
    return withSession(yield* accounts.signup(body), 201)
  }))),
  HttpRouter.post("/api/auth/login", handle(Effect.gen(function* () {
    const body = yield* jsonBody(Login, accountBodyBytesMax)
    const accounts = yield* Accounts
    return withSession(yield* accounts.login(body.login, body.password, yield* clientAddress), 200)
  }))),
  HttpRouter.post("/api/auth/logout", authenticated(() => Effect.gen(function* () {
    const accounts = yield* Accounts
    yield* accounts.logout(yield* credential)
    return clearedSession(HttpServerResponse.empty({ status: 204 }))
  }))),
  HttpRouter.get("/api/auth/me", authenticated((_, principal) => Effect.gen(function* () {
    yield* noQuery
    const accounts = yield* Accounts
    return ok(yield* accounts.me(principal, yield* credential))
  }))),

  HttpRouter.get("/api/tokens", authenticated((_, principal) =>
    Effect.zipRight(noQuery, Effect.flatMap(Accounts, (accounts) => Effect.map(accounts.apiTokens(principal), (tokens) => ok({ tokens })))))),
  HttpRouter.post("/api/tokens", authenticated((_, principal) => Effect.gen(function* () {
    const { label } = yield* jsonBody(NewToken, accountBodyBytesMax)
    const accounts = yield* Accounts
    return ok(yield* accounts.createApiToken(principal, label), 201)
  }))),
  HttpRouter.del("/api/tokens/:id", authenticated((_, principal) => Effect.gen(function* () {
    const { id } = yield* pathParams(IdPath)
    const accounts = yield* Accounts
    yield* accounts.deleteApiToken(principal, id)
    return HttpServerResponse.empty({ status: 204 })
  }))),

  HttpRouter.get("/api/org", authenticated((_, principal) =>
    Effect.zipRight(noQuery, Effect.flatMap(Accounts, (accounts) => Effect.map(accounts.org(principal), (org) => ok(org)))))),
  HttpRouter.post("/api/org/invitations", authenticated((_, principal) => Effect.gen(function* () {
    const body = yield* jsonBody(NewInvitation, accountBodyBytesMax)
    const accounts = yield* Accounts
    return ok(yield* accounts.createInvitation(principal, body), 201)
  }))),
  HttpRouter.get("/api/org/invitations", authenticated((_, principal) =>
    Effect.zipRight(noQuery, Effect.flatMap(Accounts, (accounts) => Effect.map(accounts.invitations(principal), (invitations) => ok({ invitations }))))))
)
