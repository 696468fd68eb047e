import { expect } from 'vitest';
import { api } from '../helpers/app.js';

/** Shapes of the project API as the tests read them. */
export interface FileJson {
  id: string;
  name: string;
  path: string;
  enginePath: string;
  size: number;
  isMain: boolean;
  language: string | null;
  content: string;
}

export interface ProjectJson {
  id: string;
  name: string;
  description: string | null;
  language: string;
  visibility: 'private' | 'public' | 'unlisted';
  isTemplate: boolean;
  forkFrom: string | null;
  starCount: number;
  viewCount: number;
  fileCount: number;
  starred: boolean;
  owner: { id: string; username: string };
  createdAt: string;
  updatedAt: string;
  files: FileJson[];
  mainFileId: string | null;
}

export interface ErrorJson {
  success: false;
  error: { code: string; message: string; status: number; details?: Record<string, unknown> };
}

export interface ExecJson {
  executionId: string;
  status: string;
  output: string | null;
  error: string | null;
  verdict: string | null;
  exitCode: number | null;
  compilationError: string | null;
  projectId: string | null;
}

type Server = { url: string };

/** POST /projects, expecting 201. */
export async function createProject(server: Server, token: string, body: Record<string, unknown>): Promise<ProjectJson> {
  const res = await api<{ data: ProjectJson }>(server, 'POST', '/api/v1/projects', { token, body: { name: 'p', language: 'python', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** POST /projects/{id}/files, expecting 201. */
export async function addFile(server: Server, token: string, projectId: string, body: Record<string, unknown>): Promise<FileJson> {
  const res = await api<{ data: FileJson }>(server, 'POST', `/api/v1/projects/${projectId}/files`, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** POST /projects/{id}/run?wait=true, expecting 200 and a final result. */
export async function runProject(server: Server, token: string | undefined, projectId: string, body: Record<string, unknown> = {}): Promise<ExecJson> {
  const res = await api<{ data: ExecJson }>(server, 'POST', `/api/v1/projects/${projectId}/run?wait=true`, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** The error code of a response, asserting the status. */
export function expectError(res: { status: number; body: unknown }, status: number, code: string): ErrorJson['error'] {
  const body = res.body as ErrorJson;
  expect({ status: res.status, code: body?.error?.code }, JSON.stringify(res.body)).toEqual({ status, code });
  return body.error;
}
