// wrangler bundles *.zinc files as text modules (the [[rules]] entry in wrangler.toml).
declare module "*.zinc" {
  const text: string;
  export default text;
}
