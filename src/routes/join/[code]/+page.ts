import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => ({ inviteCode: params.code });
