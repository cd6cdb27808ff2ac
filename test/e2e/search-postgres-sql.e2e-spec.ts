import { harvestPagingContract } from '../contract/harvest-paging.contract';
import { searchContract } from '../contract/search.contract';
import { spatialSearchContract } from '../contract/spatial-search.contract';
import { TestApp } from '../test-app';

// The same answers when every query runs in SQL, as when the in-memory store cannot be trusted.
searchContract('PostgreSQL, SQL only (SEARCH_IN_MEMORY=false)', () => TestApp.start({ SEARCH_IN_MEMORY: 'false' }));
harvestPagingContract('PostgreSQL, SQL only', () => TestApp.start({ SEARCH_IN_MEMORY: 'false' }));
spatialSearchContract('PostgreSQL, SQL only', () => TestApp.start({ SEARCH_IN_MEMORY: 'false' }));
