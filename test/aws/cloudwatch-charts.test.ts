import { CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchCharts } from '../../src/aws/cloudwatch-charts';
import { ErrorCode, type GofnError } from '../../src/errors';
import { mockedClients, rejectionOf } from './helpers';

const cloudWatch = mockClient(CloudWatchClient);

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const widget = {
  metrics: [['AWS/Lambda', 'Errors', 'FunctionName', 'orders-api']],
  period: 60,
  stat: 'Sum',
  start: '-PT3H',
  width: 600,
  height: 300,
};

describe('CloudWatchCharts', () => {
  beforeEach(() => cloudWatch.reset());

  it('asks CloudWatch for a PNG of the widget definition and returns its bytes', async () => {
    // Prepare
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: png });
    const charts = new CloudWatchCharts(mockedClients());

    // Act
    const image = await charts.metricWidgetImage(widget);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandWith(GetMetricWidgetImageCommand, {
      MetricWidget: JSON.stringify(widget),
      OutputFormat: 'png',
    });
    expect(image).toEqual(png);
  });

  it('rejects an answer without an image as Upstream', async () => {
    // Prepare
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({});
    const charts = new CloudWatchCharts(mockedClients());

    // Act
    const error = await rejectionOf(charts.metricWidgetImage(widget));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Upstream);
    expect((error as GofnError).message).toBe('CloudWatch GetMetricWidgetImage returned no image.');
  });
});
