import { describe, expect, it, vi } from 'vitest';
import { consoleLogger, silentLogger } from './logger.js';

function fakeConsole() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe('consoleLogger', () => {
  it('should print info and above by default', () => {
    const out = fakeConsole();
    const logger = consoleLogger({ console: out });
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { topic: 't' });
    logger.error('e');
    expect(out.debug).not.toHaveBeenCalled();
    expect(out.info).toHaveBeenCalledWith(expect.stringMatching(/^\S+ INFO \[kaskade\] i$/));
    expect(out.warn).toHaveBeenCalledWith(expect.stringMatching(/ WARN \[kaskade\] w$/), { topic: 't' });
    expect(out.error).toHaveBeenCalledOnce();
  });

  it('should honour the configured level', () => {
    const out = fakeConsole();
    const debug = consoleLogger({ level: 'debug', console: out });
    debug.debug('d');
    expect(out.debug).toHaveBeenCalledOnce();
    const quiet = consoleLogger({ level: 'error', console: out });
    quiet.warn('w');
    expect(out.warn).not.toHaveBeenCalled();
  });
});

describe('silentLogger', () => {
  it('should accept every level and print nothing', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    silentLogger.error('e', { a: 1 });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
