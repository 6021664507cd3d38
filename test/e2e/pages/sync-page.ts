import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

export class SyncPage {
  readonly shell: Shell;
  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  indicator(): Locator {
    return this.page.getByTestId('sync-indicator');
  }

  async enroll(serverUrl: string, code: string, deviceName: string): Promise<void> {
    const form = this.page.getByTestId('sync-enroll');
    await form.getByTestId('sync-enroll-url').fill(serverUrl);
    await form.getByTestId('sync-enroll-code').fill(code);
    await form.getByTestId('sync-enroll-name').fill(deviceName);
    await form.getByTestId('sync-enroll-submit').click();
  }

  enrollError(): Locator {
    return this.page.getByTestId('sync-enroll-error');
  }

  overview(): Locator {
    return this.page.getByTestId('sync-overview');
  }

  async syncNow(): Promise<void> {
    await this.page.getByTestId('sync-now').click();
    await this.shell.expectSuccess('同步完成');
    await expect(this.page.getByTestId('sync-pending-count')).toHaveText('0 条');
  }
}
