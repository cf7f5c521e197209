import {
  Command,
  existingFile,
  hostOption,
  httpUrl,
  integer,
  Option,
  portOption,
  quietOption,
  withStandardOptions,
} from "@llama-batches/spec/cli";

/** The options of `llama-batches-mock`, as parsed by {@link createProgram}'s program. */
export interface MockCliOptions {
  dynamic?: true;
  seed?: number;
  proxy?: string;
  errors?: true;
  port: number;
  host: string;
  spec?: string;
  quiet?: true;
}

/** The command line of `llama-batches-mock`: its flags drive parsing, validation, `--help` and errors. */
export function createProgram(): Command {
  const program = new Command("llama-batches-mock")
    .description(
      "A mock of the LlamaCloud Batches API that answers as its contract says: Prism serves the OpenAPI document " +
        "(the bundled one of @llama-batches/spec, or --spec), with the spec's examples or with data generated from " +
        "the schemas (--dynamic), behind a front that answers missing credentials and invalid queries as the real " +
        "backend does. With --proxy it is instead a validation proxy in front of a real server, reporting where that " +
        "server's answers break the spec.",
    )
    .addOption(new Option("-d, --dynamic", "generate data from the schemas instead of answering the spec's examples"))
    .addOption(new Option("--seed <n>", "with --dynamic: the same seed gives the same data").argParser(integer()))
    .addOption(
      new Option(
        "--proxy <url>",
        "validation proxy in front of the server at <url>: violations are reported in the log and in the sl-violations response header",
      ).argParser(httpUrl),
    )
    .addOption(new Option("--errors", "with --proxy: answer violations with an error response"))
    .addOption(portOption(4010))
    .addOption(hostOption())
    .addOption(new Option("--spec <path>", "an OpenAPI document to serve instead of the bundled Batches contract").argParser(existingFile))
    .addOption(quietOption());
  return withStandardOptions(program, new URL("../../package.json", import.meta.url));
}
