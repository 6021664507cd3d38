import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

export class BackupPage {
  readonly shell: Shell;
  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  rows(): Locator {
    return this.page.getByTestId('backup-list').locator('tr.ant-table-row');
  }

  async backupNow(): Promise<void> {
    const before = await this.rows().count();
    await this.page.getByTestId('backup-create').click();
    await this.shell.expectSuccess('备份完成');
    await expect(this.rows()).toHaveCount(before + 1);
  }

  /** Restores the newest listed backup after the danger confirm; returns the success text. */
  async restoreFirst(): Promise<string> {
    await this.rows().first().getByTestId('backup-restore').click();
    await this.page.getByTestId('restore-confirm').click();
    const toast = this.page.locator('.ant-message-success').filter({ hasText: '已恢复' }).last();
    await expect(toast).toBeVisible();
    return (await toast.textContent()) ?? '';
  }
}
