/** One problem found while validating a config or a value: where (a printable path) and why. */
export interface Issue {
  readonly field: string;
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A validation path as people read it: `address.zip`, `items[2].sku`, `consumerConfig["group.id"]`; the empty path
 * (the value itself) is `(root)`.
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'symbol') text += `[${segment.toString()}]`;
    else if (IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Issues as an indented list, one `  - field: message` line each. */
export function formatIssueList(issues: readonly Issue[]): string {
  return issues.map((issue) => `  - ${issue.field}: ${issue.message}`).join('\n');
}
