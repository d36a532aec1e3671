/** Set by the worker for `--verbose`: the Kaskade runtime then logs warnings and errors to stderr. */
export const runtimeLogging = { verbose: false };
