import { escapeHtml, markup, SafeHtml } from './html';

describe('markup templating', () => {
  it('escapes every interpolated value', () => {
    const evil = `<script>alert('x')</script>"&\``;
    expect(markup`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&#96;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&#96;</p>',
    );
  });

  it('keeps fragments it made itself, and escapes inside arrays', () => {
    const items = ['<a>', 'b'].map((x) => markup`<li>${x}</li>`);
    expect(markup`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
    expect(markup`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(markup`${new SafeHtml('<b>')}`.value).toBe('<b>');
  });

  it('refuses values it cannot render safely', () => {
    expect(() => markup`${{ toString: () => '<b>' }}`).toThrow(TypeError);
  });

  it('escapes the characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
  });
});
