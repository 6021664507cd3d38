import { arrangeStreet, residentId } from './arrange';
import { expect, openApp, test } from './fixtures';
import { CoveragePage } from './pages/coverage-page';
import { RosterPage } from './pages/roster-page';

test('a clerk adds a person, assigns two roles and sees the micro grid staffed', async ({ page, station }) => {
  const street = await arrangeStreet(station);
  await openApp(page, station);
  const roster = new RosterPage(page);
  await roster.shell.go('roster');

  // The form checks identifiers like the server does before anything is sent.
  await page.getByTestId('person-add').click();
  await roster.drawer().getByTestId('person-phone').fill('12345678901');
  await roster.drawer().getByTestId('person-resident-id').fill('610116199001011234');
  await roster.drawer().getByTestId('person-name').click();
  await expect(roster.drawer()).toContainText('请输入 11 位手机号');
  await expect(roster.drawer()).toContainText(/身份证号校验位不正确|出生日期/);
  await roster.closeDrawer();

  await roster.addPerson({ name: '王秀英', phone: '13912345678', residentId: residentId('61011619850312002'), unit: '南街社区', party: true });
  await expect(roster.drawer()).toContainText('王秀英');

  await roster.assignOnGrid('南街一号微', /南街一号微网格/, '专职网格员');
  await roster.assignOnGrid('南街一号微', /南街一号微网格/, '社区民警');
  await expect(roster.assignments()).toHaveCount(2);
  await roster.shell.screenshot('person-drawer');
  await roster.closeDrawer();

  // The list shows identifiers masked, and the roles as tags.
  const row = roster.row('王秀英');
  await expect(row).toContainText('139****5678');
  await expect(row).toContainText('专职网格员');
  await expect(row).toContainText('社区民警');
  await expect(row).not.toContainText('13912345678');
  await roster.shell.screenshot('roster');

  // Coverage: the micro grid now has a member and police, but no party-member role yet.
  const coverage = new CoveragePage(page);
  await coverage.shell.go('coverage');
  await coverage.selectOrg(street.street.code);
  await expect(coverage.rows()).toHaveCount(1);
  await expect(coverage.rows().first()).toContainText('南街社区');
  await coverage.rows().first().click();
  await expect(coverage.gaps()).toHaveCount(1);
  await coverage.shell.screenshot('coverage');
});
