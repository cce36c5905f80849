// EC2 Query protocol: reading form parameters (lists as `Name.N`) and writing XML in the EC2 namespace.

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlNode[];
export interface XmlNode {
  [element: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** Objects become child elements; arrays become `<item>` lists, as EC2 writes its `…Set` members. */
export function toXml(node: XmlNode): string {
  let out = '';
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) out += `<${name}>${value.map((item) => `<item>${toXml(item)}</item>`).join('')}</${name}>`;
    else if (typeof value === 'object') out += `<${name}>${toXml(value)}</${name}>`;
    else out += `<${name}>${escapeXml(String(value))}</${name}>`;
  }
  return out;
}

export function responseXml(action: string, requestId: string, body: XmlNode): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">` +
    `<requestId>${requestId}</requestId>${toXml(body)}</${action}Response>`
  );
}

export function errorXml(code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>' +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `</Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}

/** Values of `prefix.1`, `prefix.2`, … in order. */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`) ?? '');
  return values;
}

export interface QueryFilter {
  name: string;
  values: string[];
}

/** `Filter.N.Name` / `Filter.N.Value.M`. */
export function queryFilters(params: URLSearchParams): QueryFilter[] {
  const filters: QueryFilter[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    filters.push({ name: params.get(`Filter.${i}.Name`) ?? '', values: queryList(params, `Filter.${i}.Value`) });
  }
  return filters;
}

export function tagSet(tags: Map<string, string>): XmlNode[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}
