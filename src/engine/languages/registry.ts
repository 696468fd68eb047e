import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CallerError, ErrorCodes } from '../../errors.js';
import { reachableByOthers } from '../host.js';
import { awk } from './awk.js';
import { bash } from './bash.js';
import { c } from './c.js';
import { cpp } from './cpp.js';
import { go } from './go.js';
import { java } from './java.js';
import { javascript } from './javascript.js';
import { multifile } from './multifile.js';
import type { LanguageDefinition } from './language.js';
import { perl } from './perl.js';
import { php } from './php.js';
import { python } from './python.js';
import { ruby } from './ruby.js';
import { rust } from './rust.js';
import { tcl } from './tcl.js';
import { typescript } from './typescript.js';
import { lua } from './lua.js';
import { kotlin } from './kotlin.js';
import { scala } from './scala.js';
import { haskell } from './haskell.js';
import { ocaml } from './ocaml.js';
import { csharp } from './csharp.js';
import { elixir } from './elixir.js';
import { erlang } from './erlang.js';
import { clojure } from './clojure.js';
import { racket } from './racket.js';
import { commonlisp } from './commonlisp.js';
import { scheme } from './scheme.js';
import { d } from './d.js';
import { fortran } from './fortran.js';
import { pascal } from './pascal.js';
import { nim } from './nim.js';
import { crystal } from './crystal.js';
import { r } from './r.js';
import { octave } from './octave.js';
import { prolog } from './prolog.js';
import { cobol } from './cobol.js';
import { ada } from './ada.js';
import { assembly } from './assembly.js';
import { groovy } from './groovy.js';
import { objectivec } from './objectivec.js';
import { sql } from './sql.js';
import { forth } from './forth.js';

export const LANGUAGES: readonly LanguageDefinition[] = [python, javascript, typescript, java, c, cpp, php, go, rust, ruby, bash, perl, awk, tcl];
/** Resolved by id like the others but not listed (see multifile.ts): a compatibility API's own. */
export const INTERNAL_LANGUAGES: readonly LanguageDefinition[] = [multifile];

/** Beyond the core: installed by `make languages` (Makefile LANGUAGE_PACKAGES_ALL). */
export const MORE_LANGUAGES: readonly LanguageDefinition[] = [
  lua, kotlin, scala, haskell, ocaml, csharp, elixir, erlang, clojure, racket, commonlisp, scheme, d, fortran, pascal, nim, crystal, r, octave, prolog, cobol, ada, assembly, groovy, objectivec, sql, forth,
];

export const ALL_LANGUAGES: readonly LanguageDefinition[] = [...LANGUAGES, ...MORE_LANGUAGES];

export interface LanguageInfo {
  id: string;
  name: string;
  aliases: string[];
  extensions: string[];
  version: string | null;
  compiled: boolean;
  available: boolean;
  /** 'core': installed by `make run`; 'more': by `make languages` (or `LANGUAGES=all make run`). */
  group: 'core' | 'more';
  /** Why it is unavailable. */
  reason?: string;
  /** When unavailable: how to install it. */
  install?: string;
}

export class LanguageRegistry {
  private readonly byName = new Map<string, LanguageDefinition>();
  private readonly versions = new Map<string, Promise<string | null>>();

  constructor(
    readonly definitions: readonly LanguageDefinition[] = ALL_LANGUAGES,
    internal: readonly LanguageDefinition[] = INTERNAL_LANGUAGES,
  ) {
    for (const def of [...definitions, ...internal]) {
      for (const name of [def.id, ...def.aliases]) {
        if (this.byName.has(name)) throw new Error(`language name ${name} defined twice`);
        this.byName.set(name, def);
      }
    }
  }

  /** By id or alias (case-insensitive); throws UNKNOWN_LANGUAGE. */
  get(name: string): LanguageDefinition {
    const def = this.byName.get(String(name).toLowerCase());
    if (!def) {
      throw new CallerError(ErrorCodes.unknownLanguage, `unknown language "${name}" (known: ${this.definitions.map((d) => d.id).join(', ')})`, {
        language: name,
      });
    }
    return def;
  }

  byExtension(file: string): LanguageDefinition | undefined {
    const ext = path.extname(file).toLowerCase();
    return this.definitions.find((d) => d.extensions.includes(ext) && (ext !== '.h' || d.id === 'c'));
  }

  /** Null when available, else why not. */
  unavailableReason(def: LanguageDefinition): string | null {
    for (const p of def.requires) if (!fs.existsSync(p)) return `${p} is missing`;
    for (const b of def.binds ?? []) {
      if (!reachableByOthers(b.source)) return `${b.source} is not reachable by the sandbox uids (install MUSCode in a world-readable directory)`;
    }
    return null;
  }

  /** Read from the host toolchain once, on first use. */
  version(def: LanguageDefinition): Promise<string | null> {
    let v = this.versions.get(def.id);
    if (!v) {
      v = new Promise((resolve) => {
        execFile(def.version.argv[0]!, def.version.argv.slice(1), { timeout: 15_000, env: { PATH: '/usr/bin:/bin', HOME: '/tmp' } }, (err, stdout, stderr) => {
          const m = def.version.pattern.exec(`${stdout}\n${stderr}`);
          resolve(m?.[1] ?? null);
        });
      });
      this.versions.set(def.id, v);
    }
    return v;
  }

  async info(def: LanguageDefinition): Promise<LanguageInfo> {
    const reason = this.unavailableReason(def);
    const info: LanguageInfo = {
      id: def.id,
      name: def.name,
      aliases: def.aliases,
      extensions: def.extensions,
      version: reason ? null : await this.version(def),
      compiled: Boolean(def.compile),
      available: reason === null,
      group: LANGUAGES.includes(def) ? 'core' : 'more',
    };
    if (reason) {
      info.reason = reason;
      info.install = def.packages?.length
        ? `make languages (or: apt-get install -y --no-install-recommends ${def.packages.join(' ')})`
        : 'make deps (the core toolchains)';
    }
    return info;
  }

  list(): Promise<LanguageInfo[]> {
    return Promise.all(this.definitions.map((d) => this.info(d)));
  }
}
