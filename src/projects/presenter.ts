import { z } from 'zod';
import type { CommentRow, FileRow, ProjectRow } from './types.js';
import { VISIBILITIES } from './types.js';

/** API shapes of projects, files and comments (the first seed's fields first). */

export const ownerSchema = z.object({ id: z.uuid(), username: z.string() });

export const paginationSchema = z.object({
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
  pages: z.number().int(),
});

export const projectSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    language: z.string().describe("a language id of the engine's registry (GET /languages)"),
    visibility: z.enum(VISIBILITIES),
    isTemplate: z.boolean(),
    forkFrom: z.uuid().nullable().describe('the project this one was forked from'),
    starCount: z.number().int(),
    viewCount: z.number().int().describe('reads by anyone but the owner'),
    fileCount: z.number().int(),
    starred: z.boolean().describe('whether the caller starred it'),
    owner: ownerSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    deletedAt: z.string().nullable().describe('set in scope=deleted only: restorable for 30 days from then'),
  })
  .describe('A project without its files');

export const fileMetaSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  path: z.string().describe('directory: "/" or "/src" (normalised)'),
  enginePath: z.string().describe('the path the program sees, e.g. "src/util.py"'),
  size: z.number().int().describe('bytes (UTF-8)'),
  isMain: z.boolean(),
  language: z.string().nullable().describe('by extension, when the engine knows it'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const fileSchema = fileMetaSchema.extend({ content: z.string() });

export const projectDetailSchema = projectSummarySchema
  .extend({ files: z.array(fileSchema), mainFileId: z.uuid().nullable() })
  .describe('A project with its files');

const commentFields = {
  id: z.uuid(),
  projectId: z.uuid(),
  parentId: z.uuid().nullable(),
  content: z.string().nullable().describe('null once deleted'),
  author: ownerSchema.nullable().describe('null once deleted'),
  edited: z.boolean(),
  deleted: z.boolean().describe('a deleted comment is kept as a placeholder while it has replies'),
  createdAt: z.string(),
  updatedAt: z.string(),
};
export const commentSchema = z.object(commentFields);
export const threadSchema = z
  .object({ ...commentFields, replies: z.array(commentSchema).describe('every reply in the thread, oldest first; parentId says to which') })
  .describe('A top-level comment and its replies');

export type ProjectSummary = z.output<typeof projectSummarySchema>;
export type ProjectDetail = z.output<typeof projectDetailSchema>;
export type FileJson = z.output<typeof fileSchema>;
export type FileMetaJson = z.output<typeof fileMetaSchema>;
export type CommentJson = z.output<typeof commentSchema>;

/** A project row with what the list query joins in. */
export interface ProjectListRow {
  project: ProjectRow;
  ownerName: string;
  fileCount: number;
  starred: boolean;
}

export function presentProject(r: ProjectListRow): ProjectSummary {
  const p = r.project;
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    language: p.language,
    visibility: p.visibility as ProjectSummary['visibility'],
    isTemplate: p.isTemplate,
    forkFrom: p.forkFrom,
    starCount: p.starCount,
    viewCount: p.viewCount,
    fileCount: Number(r.fileCount),
    starred: Boolean(r.starred),
    owner: { id: p.userId, username: r.ownerName },
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    deletedAt: p.deletedAt?.toISOString() ?? null,
  };
}

export function presentFileMeta(f: Omit<FileRow, 'content'>): FileMetaJson {
  return {
    id: f.id,
    name: f.name,
    path: f.path,
    enginePath: f.path === '/' ? f.name : `${f.path.slice(1)}/${f.name}`,
    size: Number(f.sizeBytes),
    isMain: f.isMain,
    language: f.language,
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  };
}

export function presentFile(f: FileRow): FileJson {
  return { ...presentFileMeta(f), content: f.content };
}

export function presentComment(c: CommentRow, authorName: string): CommentJson {
  const deleted = c.deletedAt !== null;
  return {
    id: c.id,
    projectId: c.projectId,
    parentId: c.parentId,
    content: deleted ? null : c.content,
    author: deleted ? null : { id: c.userId, username: authorName },
    edited: c.updatedAt.getTime() > c.createdAt.getTime(),
    deleted,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
