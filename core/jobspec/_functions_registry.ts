/**
 * The function table of job files: every function of Nomad's `jobspec2/functions.go`, plus a
 * few of Terraform's that Nomad lacks ({@link EXTENSION_FUNCTIONS}). As in Nomad, `reverse` is
 * the string reverse (`strrev`), and `replace` replaces substrings (`regex_replace` takes a
 * pattern).
 *
 * @module
 */
import type { Func } from "./_functions_api.ts";
import { COLLECTION_FUNCTIONS } from "./_functions_collections.ts";
import { CONVERSION_FUNCTIONS } from "./_functions_conversion.ts";
import { CRYPTO_FUNCTIONS } from "./_functions_crypto.ts";
import { DATETIME_FUNCTIONS } from "./_functions_datetime.ts";
import { ENCODING_FUNCTIONS } from "./_functions_encoding.ts";
import { FILESYSTEM_FUNCTIONS } from "./_functions_filesystem.ts";
import { FORMAT_FUNCTIONS } from "./_functions_format.ts";
import { IPNET_FUNCTIONS } from "./_functions_ipnet.ts";
import { JSON_FUNCTIONS } from "./_functions_json.ts";
import { NUMERIC_FUNCTIONS } from "./_functions_numeric.ts";
import { REGEXP_FUNCTIONS } from "./_functions_regexp.ts";
import { SET_FUNCTIONS } from "./_functions_sets.ts";
import { STRING_FUNCTIONS } from "./_functions_strings.ts";
import { YAML_FUNCTIONS } from "./_functions_yaml.ts";

/** The names Nomad's job file parser knows (jobspec2/functions.go, FIPS mode off). */
export const NOMAD_FUNCTIONS: readonly string[] = [
  "abs",
  "abspath",
  "base64decode",
  "base64encode",
  "basename",
  "bcrypt",
  "can",
  "ceil",
  "chomp",
  "chunklist",
  "cidrhost",
  "cidrnetmask",
  "cidrsubnet",
  "cidrsubnets",
  "coalesce",
  "coalescelist",
  "compact",
  "concat",
  "contains",
  "convert",
  "csvdecode",
  "dirname",
  "distinct",
  "element",
  "file",
  "filebase64",
  "fileexists",
  "fileset",
  "flatten",
  "floor",
  "format",
  "formatdate",
  "formatlist",
  "indent",
  "index",
  "join",
  "jsondecode",
  "jsonencode",
  "keys",
  "length",
  "log",
  "lookup",
  "lower",
  "max",
  "md5",
  "merge",
  "min",
  "parseint",
  "pathexpand",
  "pow",
  "range",
  "regex_replace",
  "replace",
  "reverse",
  "rsadecrypt",
  "setintersection",
  "setproduct",
  "setunion",
  "sha1",
  "sha256",
  "sha512",
  "signum",
  "slice",
  "sort",
  "split",
  "strlen",
  "strrev",
  "substr",
  "timeadd",
  "title",
  "trim",
  "trimprefix",
  "trimspace",
  "trimsuffix",
  "try",
  "upper",
  "urlencode",
  "uuidv4",
  "uuidv5",
  "values",
  "yamldecode",
  "yamlencode",
  "zipmap",
];

/**
 * Terraform functions Nomad does not have, offered as a convenience. A job file using them
 * parses here but not in Nomad; drop a name from this list to refuse it.
 */
export const EXTENSION_FUNCTIONS: readonly string[] = [
  "alltrue",
  "anytrue",
  "endswith",
  "one",
  "regex",
  "regexall",
  "setsubtract",
  "startswith",
  "strcontains",
  "sum",
  "templatefile",
  "timestamp",
  "tobool",
  "tolist",
  "tomap",
  "tonumber",
  "toset",
  "tostring",
  "transpose",
];

const ALL = new Map<string, Func>([
  ...STRING_FUNCTIONS,
  ...REGEXP_FUNCTIONS,
  ...FORMAT_FUNCTIONS,
  ...COLLECTION_FUNCTIONS,
  ...SET_FUNCTIONS,
  ...NUMERIC_FUNCTIONS,
  ...ENCODING_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...YAML_FUNCTIONS,
  ...CRYPTO_FUNCTIONS,
  ...DATETIME_FUNCTIONS,
  ...FILESYSTEM_FUNCTIONS,
  ...IPNET_FUNCTIONS,
  ...CONVERSION_FUNCTIONS,
]);
ALL.set("reverse", ALL.get("strrev")!);

/** The functions callable from job files, by name. */
export const FUNCTIONS: ReadonlyMap<string, Func> = new Map(
  [...NOMAD_FUNCTIONS, ...EXTENSION_FUNCTIONS].flatMap((name) => {
    const fn = ALL.get(name);
    return fn ? [[name, fn] as const] : [];
  }),
);
