/** Health probe: `/monitor/monitor` answers `{"code":0}` (valid JSON, unlike the original's single quotes). */
import { Controller } from '../../../src/index.js';

export class MonitorController extends Controller {
  actionMonitor(): { code: number } {
    return { code: 0 };
  }
}
