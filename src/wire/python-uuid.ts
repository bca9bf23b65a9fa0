/**
 * A Python `uuid.UUID(s)` as FastAPI parsed the parameter (hyphens anywhere, braces, `urn:uuid:`,
 * any case), as the lowercase canonical form the original keyed its rooms by; null if not a UUID.
 */
export function pythonUuid(raw: string): string | null {
  const hex = raw
    .replace(/urn:/g, '')
    .replace(/uuid:/g, '')
    .replace(/^\{+|\}+$/g, '')
    .replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
