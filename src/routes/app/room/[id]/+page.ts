import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => ({ roomId: params.id });
