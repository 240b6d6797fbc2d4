/** Sets the headers every auth route answers with: nothing here may be cached. */
export function noStore(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}
