import pkg from "../package.json" with { type: "json" };

/** Identity of this build, read from package.json so there is one source of truth. */
export const NAME: string = pkg.name;
export const VERSION: string = pkg.version;
export const DESCRIPTION: string = pkg.description;
