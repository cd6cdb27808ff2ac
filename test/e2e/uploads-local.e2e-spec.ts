import { uploadsContract } from '../contract/uploads.contract';
import { TestApp } from '../test-app';

// Uploads on the local filesystem (the default store), in a folder of the test's own.
uploadsContract('local folder', (env) => TestApp.start(env));
