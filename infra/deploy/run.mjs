// `npm run synth | deploy | destroy`: runs cli.ts straight from TypeScript (see ../ts-require.mjs).
import { require } from '../ts-require.mjs';

require('./cli.ts').run(process.argv.slice(2));
