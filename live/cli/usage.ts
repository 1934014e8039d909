// The usage text of every command; a usage error prints the relevant one.

const connection = "  API commands take --api URL --token T, else CROWDCLOUD_API / CROWDCLOUD_TOKEN, else ~/.crowdcloud/cli.json (CROWDCLOUD_HOME)."

export const usage = {
  jobSubmit:
    "usage: crowdcloud job submit --image busybox|python [--cpus N] [--memory MiB] [--disk MiB] [--timeout S]\n" +
    "                             [--env K=V]... [--input BUCKET/KEY[:PATH]]... [--output-bucket B] [--network] -- COMMAND [ARGS...]\n" +
    "  defaults: --cpus 1 --memory 256 --disk 64 --timeout 60; inputs appear under /in (at PATH, default the key);\n" +
    "  files the job writes under /out become objects. Prints the new job's id alone on the last line.",
  jobStatus: "usage: crowdcloud job status ID [--json]",
  jobLogs: "usage: crowdcloud job logs ID [--follow]   (stdout to stdout, stderr to stderr; --follow until the job ends)",
  jobList: "usage: crowdcloud job list [--json]",
  jobCancel: "usage: crowdcloud job cancel ID",
  jobWait: "usage: crowdcloud job wait ID [--timeout S]   (exit code 0 iff the job succeeded)",
  objectPut: "usage: crowdcloud object put LOCALFILE|- BUCKET[/KEY]   (a key ending in / or no key: the file's name is appended)",
  objectGet: "usage: crowdcloud object get BUCKET/KEY [LOCALFILE|-]   (default: to stdout)",
  objectLs: "usage: crowdcloud object ls [BUCKET[/PREFIX]] [--json]   (no argument: the buckets)",
  objectRm: "usage: crowdcloud object rm BUCKET/KEY",
  nodes: "usage: crowdcloud nodes [--json]\n       crowdcloud nodes join-token   (operator: a one-time token for `crowdcloud agent --token`)",
  credits: "usage: crowdcloud credits [--json]",
  usersAdd: "usage: crowdcloud users add NAME   (operator: prints the new user's API token on the last line)",
  liveUp:
    "usage: crowdcloud live up --agents N [--data-dir D] [--api-port P] [--host H] [--policy NAME] [--warm-pool N]\n" +
    "                          [--cpus N] [--memory MiB] [--disk MiB] [--storage MiB] [--seed N] [--ready-timeout S]\n" +
    "  a local cluster as real processes: one coordinator and N agents (each with its own data dir under D,\n" +
    "  default ~/.crowdcloud/cluster); --cpus/--memory/--disk/--storage/--warm-pool go to every agent;\n" +
    "  writes ~/.crowdcloud/cli.json; Ctrl-C stops it.",
  agent:
    "usage: crowdcloud agent --join HOST:PORT --token T [--data-dir D] [--cpus N] [--memory MiB] [--disk MiB]\n" +
    "                        [--warm-pool N] [--region R] [--asking-price P] [--allow-network]\n" +
    "  one agent lending this machine (default data dir ~/.crowdcloud/agent; --join/--token only until it has joined)."
} as const

export const jobUsage = [usage.jobSubmit, usage.jobStatus, usage.jobLogs, usage.jobList, usage.jobCancel, usage.jobWait].join("\n")
export const objectUsage = [usage.objectPut, usage.objectGet, usage.objectLs, usage.objectRm].join("\n")

export const mainUsage = [
  "crowdcloud: the CrowdCloud command line",
  "",
  jobUsage,
  objectUsage,
  usage.nodes,
  usage.credits,
  usage.usersAdd,
  usage.liveUp,
  usage.agent,
  "",
  connection,
  "  API errors print `error: <message>` and exit 1; usage errors exit 2."
].join("\n")
