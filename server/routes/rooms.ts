import { Router } from 'express';
import type { AppContext } from '../app.ts';

// Room endpoints of the plan: built by the rooms issue.
export function createRoomsRouter(_ctx: AppContext): Router {
  return Router();
}
