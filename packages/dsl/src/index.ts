// @kaskade/dsl — public entry point.
export {};
