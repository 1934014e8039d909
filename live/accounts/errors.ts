// What sign-up, login and the account calls refuse, with the facts a client needs (which field, how
// long to wait). Login failures never say whether the name exists.
import { Data } from "effect"

export class NameTaken extends Data.TaggedError("NameTaken")<{ readonly field: "name"; readonly name: string }> {
  override get message() {
    return `the user name ${this.name} is taken`
  }
}

export class EmailTaken extends Data.TaggedError("EmailTaken")<{ readonly field: "email"; readonly email: string }> {
  override get message() {
    return `an account with the email ${this.email} exists already`
  }
}

export class OrgNameTaken extends Data.TaggedError("OrgNameTaken")<{ readonly field: "orgName"; readonly orgName: string }> {
  override get message() {
    return `an organisation named ${this.orgName} (or one with the same id) exists already`
  }
}

/** The invitation code is unknown, used, expired, or made out to another email. */
export class InvalidInvitation extends Data.TaggedError("InvalidInvitation")<{ readonly field: "invitation"; readonly reason: string }> {
  override get message() {
    return `the invitation cannot be used: ${this.reason}`
  }
}

/** The same for an unknown login and a wrong password, so the reply does not tell which names exist. */
export class LoginRefused extends Data.TaggedError("LoginRefused")<{}> {
  override get message() {
    return "the login name or email and password do not match an account"
  }
}

export class TooManyLoginAttempts extends Data.TaggedError("TooManyLoginAttempts")<{
  /** Whose failures reached the limit: the login name's or the client address's. */
  readonly by: "login" | "address"
  readonly retryAfterS: number
}> {
  override get message() {
    return `too many failed logins from this ${this.by === "login" ? "login name" : "address"}; try again in ${this.retryAfterS} s`
  }
}

/** Another user's token is as unknown as a missing one. */
export class UnknownApiToken extends Data.TaggedError("UnknownApiToken")<{ readonly id: number }> {
  override get message() {
    return `you have no API token ${this.id}`
  }
}

export class NoOrganisation extends Data.TaggedError("NoOrganisation")<{ readonly user: string }> {
  override get message() {
    return `${this.user} belongs to no organisation`
  }
}

export class NotOrgAdmin extends Data.TaggedError("NotOrgAdmin")<{ readonly org: string; readonly action: string }> {
  override get message() {
    return `only an admin of ${this.org} may ${this.action}`
  }
}

export type SignupRefused = NameTaken | EmailTaken | OrgNameTaken | InvalidInvitation
export type AccountFailure = SignupRefused | LoginRefused | TooManyLoginAttempts | UnknownApiToken | NoOrganisation | NotOrgAdmin
