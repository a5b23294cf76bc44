import { Router } from 'express';
import type { AppContext } from '../app.ts';

// POST /api/upload: built by the rooms and uploads issue.
export function createUploadRouter(_ctx: AppContext): Router {
  return Router();
}
