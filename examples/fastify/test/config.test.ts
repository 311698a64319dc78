import { describeReadConfig } from '../../shared/test-support/read-config.ts';
import { ConfigError, readConfig } from '../src/config.ts';

describeReadConfig({ readConfig, ConfigError });
