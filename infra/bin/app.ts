import { App } from 'aws-cdk-lib';
import { buildGofnApp } from '../lib/gofn-app';

buildGofnApp(new App());
