/** The last code per problem and language (web/src/lib/arena/last-code.ts), on a real Map-backed Storage. */
import { describe, expect, it } from 'vitest';
import { codeKey, forgetCode, loadCode, loadLanguage, MAX_STORED_CHARS, pickLanguage, saveCode, saveLanguage } from '../../web/src/lib/arena/last-code';

class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe('last code per problem and language', () => {
  it('keeps code per problem and per language, apart', () => {
    const s = new MemoryStorage();
    expect(saveCode('sum', 'python', 'print(1)', s)).toBe(true);
    saveCode('sum', 'cpp', 'int main(){}', s);
    saveCode('other', 'python', 'print(2)', s);
    expect(loadCode('sum', 'python', s)).toBe('print(1)');
    expect(loadCode('sum', 'cpp', s)).toBe('int main(){}');
    expect(loadCode('other', 'python', s)).toBe('print(2)');
    expect(loadCode('sum', 'java', s)).toBeNull();
    forgetCode('sum', 'python', s);
    expect(loadCode('sum', 'python', s)).toBeNull();
    expect(s.map.has(codeKey('sum', 'cpp'))).toBe(true);
  });

  it('does not store huge code, and survives a storage that throws', () => {
    const s = new MemoryStorage();
    expect(saveCode('sum', 'python', 'x'.repeat(MAX_STORED_CHARS + 1), s)).toBe(false);
    expect(loadCode('sum', 'python', s)).toBeNull();
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(saveCode('sum', 'python', 'print(1)', broken)).toBe(false);
    expect(loadCode('sum', 'python', broken)).toBeNull();
    expect(loadLanguage('sum', ['python'], broken)).toBeNull();
  });

  it('the last language is used only while the problem allows it', () => {
    const s = new MemoryStorage();
    saveLanguage('sum', 'rust', s);
    expect(loadLanguage('sum', ['python', 'rust'], s)).toBe('rust');
    expect(loadLanguage('sum', ['python', 'cpp'], s)).toBeNull();
    expect(pickLanguage(['cpp', 'python'], null)).toBe('python');
    expect(pickLanguage(['cpp', 'python'], 'cpp')).toBe('cpp');
    expect(pickLanguage(['go', 'rust'], 'python')).toBe('go');
    expect(pickLanguage([], null)).toBeNull();
  });
});
