import { GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions, ChartPort } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';

/**
 * ChartPort over CloudWatch GetMetricWidgetImage: CloudWatch renders the graph, so gofn needs no
 * charting library and the picture matches what the console shows.
 */
export class CloudWatchCharts implements ChartPort {
  constructor(private readonly clients: AwsClients) {}

  async metricWidgetImage(widget: Record<string, unknown>, opts?: CallOptions): Promise<Uint8Array> {
    const out = await callAws(
      { service: 'CloudWatch', operation: 'GetMetricWidgetImage' },
      opts,
      this.clients.settings.callTimeoutMs,
      (abortSignal) =>
        this.clients.cloudWatch.send(
          new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: 'png' }),
          { abortSignal },
        ),
    );
    if (!out.MetricWidgetImage || out.MetricWidgetImage.length === 0) {
      throw new GofnError(ErrorCode.Upstream, 'CloudWatch GetMetricWidgetImage returned no image.');
    }
    return out.MetricWidgetImage;
  }
}
