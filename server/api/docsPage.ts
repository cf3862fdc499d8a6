/**
 * A small browsable page for the OpenAPI document (`/api/docs`), rendered here without a
 * documentation package: one section per path and method with its parameters and responses.
 */

interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  deprecated?: boolean;
  /** For an older path kept working: the path to use instead. */
  'x-alias-of'?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description?: string }>;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function renderDocsPage(doc: {
  info: { title: string; description: string };
  paths: Record<string, Record<string, Operation>>;
}): string {
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}${p.required ? ', required' : ''})${p.description ? ` — ${escapeHtml(p.description)}` : ''}</li>`,
        )
        .join('');
      const body = op.requestBody
        ? `<p>Body: ${Object.keys(op.requestBody.content)
            .map((t) => `<code>${escapeHtml(t)}</code>`)
            .join(', ')}</p>`
        : '';
      const responses = Object.entries(op.responses)
        .map(
          ([status, r]) =>
            `<li><code>${escapeHtml(status)}</code> ${escapeHtml(Number(status) >= 400 ? `error ${r.description ?? ''}: {"error":{"code","message"}}` : (r.description ?? ''))}</li>`,
        )
        .join('');
      sections.push(`<section>
<h2><span class="m ${method}">${method.toUpperCase()}</span> <code>/api${escapeHtml(path)}</code>${op.security ? ' <small>🔒 bearer</small>' : ''}</h2>
<p>${escapeHtml(op.summary ?? '')}</p>${op['x-alias-of'] ? `<p>An older name of <code>/api${escapeHtml(op['x-alias-of'])}</code>, kept working.</p>` : ''}${op.description ? `<p>${escapeHtml(op.description)}</p>` : ''}
${params ? `<ul>${params}</ul>` : ''}${body}<ul class="r">${responses}</ul>
</section>`);
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1.05rem}.m{display:inline-block;min-width:4.5rem;font-family:monospace}
.get{color:#07a}.post{color:#080}.delete{color:#b00}.r{color:#555}code{background:#f4f4f4;padding:0 .2rem}</style></head>
<body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3).</p>
${sections.join('\n')}
</body></html>`;
}
