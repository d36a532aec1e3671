// @kaskade/testing — public entry point.
export {};
