// The frames face over HTTP on the embedded default: each collection in its own Durable Object.
import { framesHttpCases } from "../support/frames-http-cases.ts";

framesHttpCases();
