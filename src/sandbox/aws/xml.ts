/**
 * A minimal XML writer for the AWS Query protocols' responses. Text is escaped; nested elements
 * are carried as `XmlNode` so they are never escaped twice. Empty optional values are left out,
 * as AWS leaves them out.
 */
export interface XmlNode {
  readonly xml: string;
}

export type XmlChild = XmlNode | string | number | boolean | null | undefined;

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

export function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

function isNode(child: XmlChild): child is XmlNode {
  return typeof child === "object" && child !== null;
}

/** `<name>children…</name>`; primitive children become escaped text. */
export function el(name: string, ...children: XmlChild[]): XmlNode {
  const inner = children
    .filter((c) => c !== null && c !== undefined)
    .map((c) => (isNode(c) ? c.xml : escapeXml(String(c))))
    .join("");
  return { xml: `<${name}>${inner}</${name}>` };
}

/** An element only when its value is present (AWS omits absent optional members). */
export function optional(name: string, value: string | number | boolean | null | undefined): XmlNode | null {
  return value === null || value === undefined ? null : el(name, value);
}

/** EC2-style list: `<name><item>…</item><item>…</item></name>`. */
export function itemList<T>(name: string, values: readonly T[], render: (value: T) => XmlChild[]): XmlNode {
  return el(name, ...values.map((v) => el("item", ...render(v))));
}

/** The response document: declaration plus a root element carrying the service namespace. */
export function xmlDocument(root: string, namespace: string, ...children: XmlChild[]): string {
  const body = el(root, ...children).xml.replace(`<${root}>`, `<${root} xmlns="${namespace}">`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
