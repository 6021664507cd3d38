import { expect, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS } from '../fixtures';

export type Screen = 'grids' | 'roster' | 'coverage' | 'transfer' | 'backup' | 'sync';
const MENU: Record<Screen, RegExp> = {
  grids: /网格管理|Grids/,
  roster: /人员名册|Roster/,
  coverage: /覆盖情况|Coverage/,
  transfer: /数据交换|Import \/ Export/,
  backup: /备份恢复|Backup & Restore/,
  // The icon's name comes first in the accessible name; 同步 alone, not 备份恢复.
  sync: /(^|\s)(同步|Sync)$/,
};

/** The frame around every screen: menu, language switch, toasts and dialogs. */
export class Shell {
  constructor(readonly page: Page) {}

  async go(screen: Screen): Promise<void> {
    await this.page.getByTestId('main-menu').getByRole('menuitem', { name: MENU[screen] }).click();
    await expect(this.page.getByTestId(`${screen}-page`)).toBeVisible();
  }

  title(): Locator {
    return this.page.getByTestId('app-title');
  }

  async switchLanguage(label: '中文' | 'English'): Promise<void> {
    await this.page.getByTestId('language-switch').getByText(label, { exact: true }).click();
  }

  /** The dialog that is open now (antd keeps closed ones in the DOM while they animate out). */
  dialog(): Locator {
    return this.page.locator('.ant-modal-wrap:visible, .ant-drawer-content-wrapper:visible').last();
  }

  async expectSuccess(text: string | RegExp): Promise<void> {
    await expect(this.page.locator('.ant-message-success').filter({ hasText: text }).last()).toBeVisible();
  }

  async expectError(text: string | RegExp): Promise<void> {
    await expect(this.page.locator('.ant-message-error').filter({ hasText: text }).last()).toBeVisible();
  }

  /** Picks an option of an antd Select / TreeSelect / AutoComplete whose dropdown is open. */
  async pickOption(text: string | RegExp): Promise<void> {
    const dropdown = this.page.locator('.ant-select-dropdown:visible, .ant-tree-select-dropdown:visible').last();
    await dropdown.locator('.ant-select-item-option, .ant-select-tree-node-content-wrapper').filter({ hasText: text }).first().click();
  }

  async screenshot(name: string): Promise<void> {
    // Let antd's enter animations and toasts settle so the picture shows the real layout.
    // Toasts are hidden: they would cover the header in every picture.
    await this.page.waitForTimeout(400);
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, style: '.ant-message { display: none !important; }' });
  }
}
