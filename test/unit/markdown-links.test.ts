import { describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchor, type MarkdownTree } from '../support/markdown-links';

function tree(files: Record<string, string>): MarkdownTree {
  return {
    has: (path) => path in files || Object.keys(files).some((file) => file.startsWith(`${path}/`)),
    read: (path) => files[path] ?? '',
  };
}

describe('the Markdown link check', () => {
  it('reports links that leave the repository, miss a file or miss a heading, and nothing else', () => {
    const files = {
      'README.md': [
        '# Title',
        '## Try it',
        'See [API](docs/API.md), [its errors](docs/API.md#error-codes), [here](#try-it), [a folder](packages/client)',
        'and [the web](https://example.com), [mail](mailto:a@example.com).',
        'Broken: [shared](../shared/API.md), [gone](docs/GONE.md), [no heading](docs/API.md#nope), [self](#nowhere).',
        '`[in code](nowhere.md)`',
        '```md',
        '[fenced](nowhere.md)',
        '```',
        '[ref]: docs/MISSING.md',
      ].join('\n'),
      'docs/API.md': '# API\n### Error codes\nBack to [the README](../README.md).',
      'packages/client/package.json': '{}',
    };
    expect(brokenLinks(tree(files), Object.keys(files).filter((file) => file.endsWith('.md')))).toEqual([
      { file: 'README.md', line: 5, target: '../shared/API.md' },
      { file: 'README.md', line: 5, target: 'docs/GONE.md' },
      { file: 'README.md', line: 5, target: 'docs/API.md#nope' },
      { file: 'README.md', line: 5, target: '#nowhere' },
      { file: 'README.md', line: 10, target: 'docs/MISSING.md' },
    ]);
  });

  it("spells heading anchors the way GitHub does", () => {
    expect(headingAnchor('Using the client from a Vite/React app')).toBe('using-the-client-from-a-vitereact-app');
    expect(headingAnchor('Design notes (where we depart from or add to DESIGN.md)')).toBe('design-notes-where-we-depart-from-or-add-to-designmd');
  });
});
