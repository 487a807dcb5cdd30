export * from "./span.js";
export * from "./diagnostic.js";
export * from "./messages.js";
export * from "./render.js";
