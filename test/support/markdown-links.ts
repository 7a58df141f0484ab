// Relative links in Markdown and whether they land: a README whose links point outside the repository (or at a file
// that was moved) is broken in every clone. Links inside code (fenced blocks, `inline`) are not links.
import { posix } from 'node:path';

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
}

export interface MarkdownTree {
  /** Whether `path` (repository-relative, no leading ./) is a file, or a folder holding files, of the repository. */
  has(path: string): boolean;
  /** The text of a Markdown file of the repository. */
  read(path: string): string;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of withoutCode(markdown)) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line.text);
    if (heading) anchors.add(headingAnchor(heading[1]!.replace(/`/g, '')));
  }
  return anchors;
}

/** Lines outside fenced code blocks, with inline code spans blanked out. */
function withoutCode(markdown: string): { number: number; text: string }[] {
  const lines: { number: number; text: string }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, index) => {
    if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
    else if (!fenced) lines.push({ number: index + 1, text: text.replace(/`[^`]*`/g, '``') });
  });
  return lines;
}


export function brokenLinks(tree: MarkdownTree, files: string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const markdown = tree.read(file);
    const dir = posix.dirname(file);
    for (const { number, text } of withoutCode(markdown)) {
      for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)/g)) {
        const target = match[1] ?? match[2]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
        const [pathPart = '', anchor] = target.split('#', 2);
        const path = pathPart === '' ? file : posix.normalize(posix.join(dir, decodeURI(pathPart)));
        const lands = !path.startsWith('..') && tree.has(path) &&
          (!anchor || !path.endsWith('.md') || anchorsOf(tree.read(path)).has(anchor));
        if (!lands) broken.push({ file, line: number, target });
      }
    }
  }
  return broken;
}
