// Schema errors told in words, one way everywhere: "path: message", the value itself named when an issue has no path.
// Each caller keeps its own words for the whole value and for an error without issues. Pure; zod is imported for its
// types only, so a process that never validates does not load it.
import type { z } from 'zod';

export type SchemaIssue = z.core.$ZodIssue;

/** `path: message`. An issue on the value itself (empty path) is named `whole`, or is its message alone without it. */
export function describeIssue(issue: SchemaIssue, whole?: string): string {
  const where = issue.path.join('.') || whole;
  return where === undefined ? issue.message : `${where}: ${issue.message}`;
}

/** Every issue, one line each (see describeIssue). */
export function describeIssues(error: { issues: readonly SchemaIssue[] }, whole?: string): string[] {
  return error.issues.map((issue) => describeIssue(issue, whole));
}

export interface FirstIssueWords {
  /** Names the value itself: 'body', 'query'. */
  whole: string;
  /** Said for the message when the error holds no issue. */
  fallback: string;
  /** Words for fields the schema does not know (a strict object), e.g. with the list of allowed ones. */
  unknownKeys?: (keys: readonly string[]) => string;
}

/** The first issue alone, for an answer that names one problem. */
export function describeFirstIssue(error: { issues: readonly SchemaIssue[] }, words: FirstIssueWords): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${words.whole}: ${words.fallback}`;
  if (issue.code === 'unrecognized_keys' && words.unknownKeys) return words.unknownKeys(issue.keys);
  return describeIssue(issue, words.whole);
}
