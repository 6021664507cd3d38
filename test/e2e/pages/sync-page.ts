import { expect, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { openApp, SCREENSHOTS, type Station } from '../fixtures';
import { Shell } from './shell';

export class SyncPage {
  readonly shell: Shell;
  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  /** The station's app on its sync page after one sync from there: a clerk's first step back online. */
  static async syncedOn(page: Page, station: Station): Promise<SyncPage> {
    await openApp(page, station);
    const sync = new SyncPage(page);
    await sync.shell.go('sync');
    await sync.syncNow();
    return sync;
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

  /** Open issue cards; `kind` narrows to rejections, conflicts or quarantined changes. */
  issues(kind?: 'rejection' | 'conflict' | 'quarantine'): Locator {
    const cards = this.page.getByTestId('sync-issue');
    return kind ? cards.and(this.page.locator(`[data-kind="${kind}"]`)) : cards;
  }

  /** One issue card's side-by-side row for a field (项目 · 本机的值 · 服务器的值, or a conflict's 被覆盖的值). */
  issueRow(card: Locator, label: string): Locator {
    return card.locator('tr.ant-table-row').filter({ has: this.page.getByRole('cell', { name: label, exact: true }) });
  }

  /** 采用服务器的值 (a conflict's 恢复被覆盖的值): a rejection asks first (the clerk's own work goes), a conflict does not. */
  async acceptServer(card: Locator): Promise<void> {
    const confirm = (await card.getAttribute('data-kind')) !== 'conflict';
    await card.getByTestId('sync-accept-server').click();
    if (confirm) await this.page.getByTestId('sync-accept-confirm').click();
    await this.shell.expectSuccess('已处理');
  }

  /** 知道了: a conflict is acknowledged, nothing changes. */
  async dismiss(card: Locator): Promise<void> {
    await card.getByTestId('sync-dismiss').click();
    await this.shell.expectSuccess('已处理');
  }

  /**
   * The issue list alone, whole: the screen scrolls inside its content pane, so a full-page
   * picture would stop at the window's edge. The window grows for the picture, then returns.
   */
  async screenshotIssues(name: string): Promise<void> {
    const list = this.page.getByTestId('sync-issues');
    const viewport = this.page.viewportSize();
    const height = await list.evaluate((el) => el.getBoundingClientRect().height);
    if (viewport) await this.page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.ceil(height) + 600) });
    await this.page.waitForTimeout(400); // antd's enter animations
    await list.screenshot({ path: join(SCREENSHOTS, `${name}.png`), style: '.ant-message { display: none !important; }' });
    if (viewport) await this.page.setViewportSize(viewport);
  }
}
