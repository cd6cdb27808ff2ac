import { harvestPagingContract } from '../contract/harvest-paging.contract';
import { searchContract } from '../contract/search.contract';
import { spatialSearchContract } from '../contract/spatial-search.contract';
import { TestApp } from '../test-app';

searchContract('PostgreSQL (default)', () => TestApp.start());
harvestPagingContract('PostgreSQL (default)', () => TestApp.start());
spatialSearchContract('PostgreSQL (default)', () => TestApp.start());
